package httpserver

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type signup struct {
	Name    string `json:"name"`
	Age     int    `json:"age"`
	Address struct {
		Zip string `json:"zip"`
	} `json:"address"`
	Tags []string `json:"tags"`
}

func TestReadJSON(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		opts              JSONOptions
		status            int
		field, msg        string
	}{
		{"ok", "application/json", `{"name":"ann","age":30,"address":{"zip":"123"}}`, JSONOptions{}, 0, "", ""},
		{"vendor type", "application/vnd.api+json; charset=utf-8", `{"name":"ann"}`, JSONOptions{}, 0, "", ""},
		{"no content type", "", `{}`, JSONOptions{}, 415, "", "Content-Type must be application/json"},
		{"form", "application/x-www-form-urlencoded", `a=b`, JSONOptions{}, 415, "", "Content-Type"},
		{"any type allowed", "text/plain", `{"name":"x"}`, JSONOptions{AnyContentType: true}, 0, "", ""},
		{"empty", "application/json", "  \n", JSONOptions{}, 400, "", "request body is empty"},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", 100) + `"}`, JSONOptions{MaxBytes: 50}, 413, "", "the limit is 50 bytes"},
		{"syntax", "application/json", "{\n  \"name\": \"ann\",\n  \"age\": 3x\n}", JSONOptions{}, 400, "", "malformed JSON at line 3, column 11"},
		{"truncated", "application/json", `{"name": "ann"`, JSONOptions{}, 400, "", "ends in the middle"},
		{"wrong type", "application/json", `{"age":"thirty"}`, JSONOptions{}, 400, "age", `field "age" must be an integer that fits int, not JSON string`},
		{"nested type", "application/json", `{"address":{"zip":5}}`, JSONOptions{}, 400, "address.zip", `field "address.zip" must be a string, not JSON number`},
		{"overflow", "application/json", `{"age":1e400}`, JSONOptions{}, 400, "age", `field "age"`},
		{"array element", "application/json", `{"tags":["a",2]}`, JSONOptions{}, 400, "tags", `field "tags" must be a string`},
		{"not an object", "application/json", `[1,2]`, JSONOptions{}, 400, "", "request body must be an object, not JSON array"},
		{"unknown field", "application/json", `{"nmae":"ann"}`, JSONOptions{}, 400, "nmae", `unknown field "nmae"`},
		{"unknown allowed", "application/json", `{"nmae":"ann"}`, JSONOptions{AllowUnknownFields: true}, 0, "", ""},
		{"two values", "application/json", `{"name":"a"} {"name":"b"}`, JSONOptions{}, 400, "", "single JSON value"},
		{"trailing garbage", "application/json", `{"name":"a"} x`, JSONOptions{}, 400, "", "single JSON value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			var dst signup
			err := tc.opts.Read(httptest.NewRecorder(), req, &dst)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.Status != tc.status || e.Field != tc.field || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %d field=%q %q, want %d field=%q containing %q", e.Status, e.Field, e.Msg, tc.status, tc.field, tc.msg)
			}
		})
	}
	if err := ReadJSON(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil), signup{}); err == nil || StatusOf(err) != 500 {
		t.Errorf("non-pointer destination: %v", err)
	}
}

func TestReadJSONThroughRouter(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rt.HandleFunc("POST /signup", func(w http.ResponseWriter, r *http.Request) error {
		var s signup
		if err := ReadJSON(w, r, &s); err != nil {
			return err
		}
		return WriteJSON(w, http.StatusCreated, map[string]string{"hello": s.Name})
	})
	req := httptest.NewRequest("POST", "/signup", strings.NewReader(`{"age":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, req)
	var body struct {
		Error struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 400 || body.Error.Field != "age" {
		t.Fatalf("%d %q (%v)", rec.Code, rec.Body, err)
	}
	req = httptest.NewRequest("POST", "/signup", strings.NewReader(`{"name":"ann"}`))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	rt.ServeHTTP(rec, req)
	if rec.Code != 201 || rec.Body.String() != "{\"hello\":\"ann\"}\n" || rec.Header().Get("Content-Length") != "16" {
		t.Errorf("%d %q %v", rec.Code, rec.Body, rec.Header())
	}
}

func TestWriteJSONError(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteJSON(rec, 200, math.Inf(1)); err == nil {
		t.Fatal("encoding +Inf succeeded")
	}
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("failed WriteJSON wrote %v %q", rec.Header(), rec.Body)
	}
}

func FuzzReadJSON(f *testing.F) {
	f.Add("application/json", `{"name":"ann","age":30,"address":{"zip":"1"},"tags":["a"]}`)
	f.Add("application/json", `{"age":"x"}`)
	f.Add("application/json", "{\n\"a\":")
	f.Add("application/problem+json", `[1,2,3]`)
	f.Add("text/plain", `{}`)
	f.Add("application/json; charset=\"", `{"nmae":1}`)
	f.Fuzz(func(t *testing.T, ctype, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		var dst signup
		err := JSONOptions{MaxBytes: 256}.Read(httptest.NewRecorder(), req, &dst)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is not an *Error", err)
		}
		switch e.Status {
		case 400, 413, 415:
		default:
			t.Fatalf("status %d for %q", e.Status, body)
		}
		if e.Msg == "" {
			t.Fatal("empty message")
		}
	})
}

// TestWriteJSONNoBodyStatus: 204 and 304 cannot carry a body; writing one
// fails in net/http, and a HandlerFunc returning that failure after the
// status went out would abort the connection.
func TestWriteJSONNoBodyStatus(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rt.HandleFunc("DELETE /item", func(w http.ResponseWriter, r *http.Request) error {
		return WriteJSON(w, http.StatusNoContent, nil)
	})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	req, _ := http.NewRequest("DELETE", srv.URL+"/item", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusNoContent || len(b) != 0 {
		t.Fatalf("%d %q %v", resp.StatusCode, b, err)
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		t.Errorf("Content-Length %q on a 204", cl)
	}
}
