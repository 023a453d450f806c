package httpserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ErrInvalidRoute is wrapped by every registration error a Router reports:
// an invalid pattern, a pattern that conflicts with another, or Use called
// after routes were registered. Test for it with errors.Is.
var ErrInvalidRoute = errors.New("httpserver: invalid route")

// Error is an error that carries the HTTP status the client should get.
// Msg is shown to the client; Err is the cause, logged but never shown.
// Field names the request field at fault, when there is one (JSON input).
//
// Handlers return an *Error (usually made with Errorf) and the Router turns it
// into a response; any other error becomes 500 Internal Server Error with its
// text logged and a generic message shown.
type Error struct {
	Status int    // HTTP status code; 0 means 500
	Msg    string // message for the client; "" means the status text
	Field  string // the request field at fault, if any
	Err    error  // the cause, for logs and errors.Is/As; never shown
}

// Errorf returns an *Error with the given status and a message formatted from
// format and args. A %w verb also records the wrapped error as the cause, but
// its text then becomes part of the client message: use a plain %v on a
// separate Err field when the cause must stay private.
func Errorf(status int, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Status: status, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message()
	if e.Err != nil && e.Msg != e.Err.Error() {
		return fmt.Sprintf("%d %s: %v", e.StatusCode(), msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.StatusCode(), msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// StatusCode returns e.Status, or 500 when it is not a valid final status
// (informational 1xx statuses cannot carry an error response).
func (e *Error) StatusCode() int {
	if e.Status < 200 || e.Status > 999 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// Message returns the message for the client: Msg, or the status text.
func (e *Error) Message() string {
	if e.Msg != "" {
		return e.Msg
	}
	if t := http.StatusText(e.StatusCode()); t != "" {
		return t
	}
	return "error"
}

// StatusOf returns the HTTP status an error maps to: the status of an *Error
// found with errors.As, 413 for *http.MaxBytesError, 503 for a context that
// timed out or was canceled, and 500 for anything else. StatusOf(nil) is 200.
func StatusOf(err error) int {
	return publicError(err).StatusCode()
}

// publicError converts any error to the *Error the client will see.
func publicError(err error) *Error {
	if err == nil {
		return &Error{Status: http.StatusOK}
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &Error{Status: http.StatusRequestEntityTooLarge,
			Msg: fmt.Sprintf("request body too large: the limit is %d bytes", mb.Limit), Err: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: http.StatusServiceUnavailable, Msg: "request timed out", Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Status: http.StatusServiceUnavailable, Msg: "request canceled", Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Err: err}
}
