package httpserver

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// AccessLog returns middleware that logs one line per request to logger
// (nil means slog.Default()): method, route pattern, path, status, bytes,
// duration and request ID, at level Info, or Error for 5xx.
//
// Under a Router the line is written by the Router after the response is
// complete, so it shows what the client really got, including the 500 for
// a handler that wrote nothing or panicked, and needs no wrapper of its own.
// Elsewhere AccessLog wraps the ResponseWriter to count status and bytes.
func AccessLog(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log := logger
			if log == nil {
				log = slog.Default()
			}
			if t := findTracker(w); t != nil && t.access == nil {
				t.access, t.start = log, time.Now()
				if id := RequestIDFrom(r.Context()); id != "" {
					t.requestID = id
				}
				next.ServeHTTP(w, r)
				return
			}
			rec := &recorder{ResponseWriter: w}
			start := time.Now()
			next.ServeHTTP(rec, r)
			logAccess(log, r.Context(), r.Method, r.Pattern, r.URL.Path,
				rec.status, rec.bytes, start, RequestIDFrom(r.Context()))
		})
	}
}

// logAccess writes one access log line for a request that started at
// start. It reads only the monotonic clock, once: the record's time is
// start plus the duration (time.Now would also read the wall clock, which
// costs as much again on virtual machines). It hands the record to the
// handler directly: Logger.LogAttrs would also capture the caller's program
// counter, which costs more than formatting the line and says nothing here.
func logAccess(log *slog.Logger, ctx context.Context, method, route, path string,
	status int, bytes int64, start time.Time, requestID string) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	h := log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	took := time.Since(start)
	rec := slog.NewRecord(start.Add(took), level, "request", 0)
	rec.AddAttrs(
		slog.String("method", method),
		slog.String("route", route),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int64("bytes", bytes),
		slog.Duration("duration", took),
		slog.String("request_id", requestID),
	)
	_ = h.Handle(ctx, rec)
}

// recorder counts the status and body bytes of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *recorder) started() bool               { return rec.status != 0 }
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += int64(n)
	return n, err
}

func (rec *recorder) ReadFrom(src io.Reader) (int64, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := readFrom(rec.ResponseWriter, src)
	rec.bytes += n
	return n, err
}

func (rec *recorder) WriteString(s string) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := writeString(rec.ResponseWriter, s)
	rec.bytes += int64(n)
	return n, err
}

func (rec *recorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}
