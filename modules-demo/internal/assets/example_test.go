package assets_test

import (
	"fmt"
	"net/http/httptest"
	"testing/fstest"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/assets"
)

func Example() {
	static, err := assets.New(fstest.MapFS{"style.css": {Data: []byte("body { margin: 0 }")}})
	if err != nil {
		panic(err)
	}
	// Templates link to the hashed name; it changes when the file does.
	name := static.Path("style.css")
	fmt.Println(name)

	h := httpserver.Static(static, httpserver.StaticOptions{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/"+name, nil))
	fmt.Println(rec.Code, rec.Header().Get("Cache-Control"))
	// Output:
	// style.997faceca260.css
	// 200 public, max-age=31536000, immutable
}
