//go:build !unix

package main

import (
	"context"
	"errors"
)

// runWatch needs process groups, which only Unix systems have.
func runWatch(ctx context.Context, e *env, args []string) int {
	return fail(e, "watch", errors.New("ws watch needs a Unix system (process groups)"))
}
