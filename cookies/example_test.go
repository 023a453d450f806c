package cookies_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/serverdev/stdweb/cookies"
)

func ExampleParse() {
	pairs, err := cookies.Parse(`theme=dark; broken; id="42"; id=43`)
	if err != nil {
		panic(err)
	}
	for _, p := range pairs {
		fmt.Printf("%s=%s\n", p.Name, p.Value)
	}
	// Output:
	// theme=dark
	// id=42
	// id=43
}

func ExampleGet() {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "theme=dark; lang=en")
	lang, err := cookies.Get(r, "lang")
	fmt.Println(lang, err)
	_, err = cookies.Get(r, "missing")
	fmt.Println(errors.Is(err, http.ErrNoCookie))
	// Output:
	// en <nil>
	// true
}

func ExampleFormat() {
	line, err := cookies.Format(&http.Cookie{Name: "__Host-id", Value: "1", Path: "/", Secure: true, HttpOnly: true})
	fmt.Println(line, err)

	// Rules that net/http would break silently are errors that say what broke.
	_, err = cookies.Format(&http.Cookie{Name: "__Host-id", Value: "1", Path: "/app", Secure: true})
	fmt.Println(err)
	_, err = cookies.Format(&http.Cookie{Name: "pref", Value: "a;b"})
	fmt.Println(errors.Is(err, cookies.ErrInvalidValue))
	// Output:
	// __Host-id=1; Path=/; HttpOnly; Secure <nil>
	// cookies: cookie prefix requirements not met: cookie "__Host-id": the __Host- prefix requires Path=/
	// true
}

func ExampleOptions() {
	// The zero Options are the safe session defaults.
	var o cookies.Options
	w := httptest.NewRecorder()
	if err := cookies.Set(w, o.New("sid", "abc")); err != nil {
		panic(err)
	}
	// For local development over plain http only:
	dev := cookies.Options{Insecure: true}
	if err := cookies.Set(w, dev.New("sid", "abc")); err != nil {
		panic(err)
	}
	// Deleting matches Path and Domain.
	if err := cookies.Delete(w, o.New("sid", "")); err != nil {
		panic(err)
	}
	for _, line := range w.Header().Values("Set-Cookie") {
		fmt.Println(line)
	}
	// Output:
	// sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax
	// sid=abc; Path=/; HttpOnly; SameSite=Lax
	// sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax
}

func ExampleSigner() {
	// In a program the secret comes from the environment: at least 32
	// random bytes.
	ring, err := cookies.NewKeyRing([]byte("an example secret of at least 32 bytes"))
	if err != nil {
		panic(err)
	}
	signer := &cookies.Signer{Keys: ring}

	text, err := signer.Sign("uid", []byte("alice"))
	if err != nil {
		panic(err)
	}
	value, err := signer.Verify("uid", text)
	fmt.Println(string(value), err)

	// The value is bound to its cookie's name.
	_, err = signer.Verify("admin", text)
	fmt.Println(errors.Is(err, cookies.ErrBadSignature))
	// Output:
	// alice <nil>
	// true
}

func ExampleSealer() {
	ring, err := cookies.NewKeyRing([]byte("an example secret of at least 32 bytes"))
	if err != nil {
		panic(err)
	}
	sealer := &cookies.Sealer{Keys: ring}

	type cart struct {
		Items []string `json:"items"`
	}
	w := httptest.NewRecorder()
	text, err := sealer.Encode("cart", cart{Items: []string{"book", "pen"}})
	if err != nil {
		panic(err)
	}
	if err := cookies.Set(w, cookies.Options{}.New("cart", text)); err != nil {
		panic(err)
	}

	// The next request carries the cookie back.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "cart="+text)
	raw, err := cookies.Get(r, "cart")
	if err != nil {
		panic(err)
	}
	var c cart
	err = sealer.Decode("cart", raw, &c)
	fmt.Println(c.Items, err)
	// Output:
	// [book pen] <nil>
}

func ExampleNewKeyRing() {
	oldSecret := []byte("the secret we used until yesterday, 32+ bytes")
	newSecret := []byte("the secret we use from today on, also 32+ bytes")

	before, _ := cookies.NewKeyRing(oldSecret)
	issued, _ := (&cookies.Signer{Keys: before}).Sign("uid", []byte("alice"))

	// Rotation: the new secret first signs; the old one still verifies.
	during, _ := cookies.NewKeyRing(newSecret, oldSecret)
	v, err := (&cookies.Signer{Keys: during}).Verify("uid", issued)
	fmt.Println(string(v), err)

	// Once the old values have expired, drop the old secret.
	after, _ := cookies.NewKeyRing(newSecret)
	_, err = (&cookies.Signer{Keys: after}).Verify("uid", issued)
	fmt.Println(errors.Is(err, cookies.ErrBadSignature))

	_, err = cookies.NewKeyRing([]byte("too short"))
	fmt.Println(errors.Is(err, cookies.ErrSecretTooShort))
	// Output:
	// alice <nil>
	// true
	// true
}

func ExampleParser() {
	// A stricter parser for an endpoint that expects few cookies.
	p := &cookies.Parser{MaxPairs: 2, MaxBytes: 256}
	_, err := p.Parse("a=1; b=2; c=3")
	fmt.Println(errors.Is(err, cookies.ErrTooMany))

	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "id=1; id=2")
	ids, err := p.GetAll(r, "id")
	fmt.Println(ids, err)
	// Output:
	// true
	// [1 2] <nil>
}
