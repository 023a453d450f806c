package apisurface

import (
	"context"
	"fmt"
	"go/types"
	"os"
	"slices"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// Load type-checks the packages of the module whose root is dir, using the
// go.work file workFile ("off" or empty for none), and returns its
// importable packages.
func Load(ctx context.Context, dir, workFile string) (*apidiff.Module, error) {
	if workFile == "" {
		workFile = "off"
	}
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedTypes | packages.NeedModule,
		Dir:     dir,
		Env:     append(os.Environ(), "GOWORK="+workFile),
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, fmt.Errorf("apisurface: loading %s: %w", dir, err)
	}
	var (
		mod  = new(apidiff.Module)
		errs []string
	)
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
		if p.Module != nil && mod.Path == "" {
			mod.Path = p.Module.Path
		}
		if p.Name == "main" || isInternal(p.PkgPath) || p.Types == nil {
			continue
		}
		mod.Packages = append(mod.Packages, p.Types)
	}
	if len(errs) > 0 {
		if len(errs) > 10 {
			errs = append(errs[:10], fmt.Sprintf("and %d more", len(errs)-10))
		}
		return nil, fmt.Errorf("apisurface: %s does not type-check:\n\t%s", dir, strings.Join(errs, "\n\t"))
	}
	slices.SortFunc(mod.Packages, func(a, b *types.Package) int { return strings.Compare(a.Path(), b.Path()) })
	return mod, nil
}

// isInternal reports whether an import path has an "internal" element,
// which makes it unimportable for users.
func isInternal(path string) bool {
	return slices.Contains(strings.Split(path, "/"), "internal")
}
