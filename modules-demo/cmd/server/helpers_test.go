package main

import (
	"net/http"
	"net/http/httptest"
)

type response struct {
	code int
	body string
}

func httptestServe(h http.Handler, method, path string) response {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return response{rec.Code, rec.Body.String()}
}
