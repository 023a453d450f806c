package sns

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/serverdev/stdweb/cookies"
	"github.com/serverdev/stdweb/modules-demo/internal/password"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
	"github.com/serverdev/stdweb/sessioncache"
)

// fastHasher keeps the tests quick; the app's default is the OWASP setting.
var fastHasher = password.Hasher{Memory: 64, Time: 1}

// testKeys is a fixed secret: tests must not depend on randomness here.
func testKeys(t testing.TB) *cookies.KeyRing {
	t.Helper()
	k, err := cookies.NewKeyRing([]byte("test secret of at least thirty-two bytes"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newTestApp serves a fresh App over httptest and returns its URL.
func newTestApp(t testing.TB) (*App, *httptest.Server) {
	t.Helper()
	store := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
	t.Cleanup(func() { store.Close() })
	app, err := New(Config{
		Social:          social.New(social.Options{}),
		SessionStore:    store,
		Keys:            testKeys(t),
		Hasher:          fastHasher,
		InsecureCookies: true,
		Logger:          slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	h := app.Handler(nil)
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return app, srv
}

// browser is an HTTP client with a cookie jar, like a browser tab.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

// do sends req and returns the final response's status and body.
func (b *browser) do(req *http.Request) (int, string) {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	req.Header.Set("Accept", "text/html")
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	// What a browser sends for a form on the same site.
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func (b *browser) signup(name, pw string) {
	b.t.Helper()
	if code, body := b.post("/signup", url.Values{"username": {name}, "password": {pw}}); code != 200 || !strings.Contains(body, "Welcome, @"+name) {
		b.t.Fatalf("signup %s: %d\n%s", name, code, body)
	}
}

func (b *browser) login(name, pw string) {
	b.t.Helper()
	if code, body := b.post("/login", url.Values{"username": {name}, "password": {pw}}); code != 200 || !strings.Contains(body, "Welcome back, @"+name) {
		b.t.Fatalf("login %s: %d\n%s", name, code, body)
	}
}

// timeline returns the JSON timeline, or the status when it is not 200.
func (b *browser) timeline() (int, []social.Post) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+"/api/timeline", nil)
	code, body := b.do(req)
	if code != 200 {
		return code, nil
	}
	var resp postsResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		b.t.Fatalf("timeline JSON: %v\n%s", err, body)
	}
	return code, resp.Posts
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func TestSignupPostFollowTimeline(t *testing.T) {
	_, srv := newTestApp(t)
	ann, bob := newBrowser(t, srv.URL), newBrowser(t, srv.URL)
	ann.signup("ann", "ann password")
	bob.signup("bob", "bob password")

	if code, body := bob.post("/posts", url.Values{"body": {"hello from bob"}}); code != 200 || !strings.Contains(body, "hello from bob") {
		t.Fatalf("bob's post: %d\n%s", code, body)
	}
	// Ann's timeline is cached before she follows bob...
	if _, posts := ann.timeline(); len(posts) != 0 {
		t.Fatalf("ann's timeline before follow: %+v", posts)
	}
	if code, body := ann.post("/u/bob/follow", nil); code != 200 || !strings.Contains(body, "You follow @bob") {
		t.Fatalf("follow: %d\n%s", code, body)
	}
	// ...and the follow invalidates it.
	if _, posts := ann.timeline(); len(posts) != 1 || posts[0].Body != "hello from bob" {
		t.Fatalf("ann's timeline after follow: %+v", posts)
	}
	// A new post of bob's reaches ann's (cached) timeline at once.
	bob.post("/posts", url.Values{"body": {"second"}})
	ann.post("/posts", url.Values{"body": {"ann here"}})
	_, posts := ann.timeline()
	if len(posts) != 3 || posts[0].Body != "ann here" || posts[1].Body != "second" {
		t.Fatalf("ann's timeline: %+v", posts)
	}
	if code, body := ann.get("/"); code != 200 || !strings.Contains(body, "second") || !strings.Contains(body, "ann here") {
		t.Fatalf("home page: %d\n%s", code, body)
	}
	// Bob does not follow ann: her post is not on his timeline.
	if _, posts := bob.timeline(); len(posts) != 2 {
		t.Fatalf("bob's timeline: %+v", posts)
	}
	ann.post("/u/bob/unfollow", nil)
	if _, posts := ann.timeline(); len(posts) != 1 {
		t.Fatalf("ann's timeline after unfollow: %+v", posts)
	}
	if code, body := ann.get("/u/bob"); code != 200 || !strings.Contains(body, "0 followers") || !strings.Contains(body, ">follow</button>") {
		t.Fatalf("bob's profile: %d\n%s", code, body)
	}
}

func TestFormErrors(t *testing.T) {
	_, srv := newTestApp(t)
	b := newBrowser(t, srv.URL)
	b.signup("ann", "ann password")
	tests := []struct {
		name, path string
		form       url.Values
		code       int
		want       string
	}{
		{"taken", "/signup", url.Values{"username": {"ann"}, "password": {"12345678"}}, 422, "taken"},
		{"bad name", "/signup", url.Values{"username": {"A!"}, "password": {"12345678"}}, 422, "3 to 20 characters"},
		{"short password", "/signup", url.Values{"username": {"cat"}, "password": {"1234567"}}, 422, "8 to 256 characters"},
		{"wrong password", "/login", url.Values{"username": {"ann"}, "password": {"nope nope"}}, 401, "Wrong username or password"},
		{"unknown user", "/login", url.Values{"username": {"zed"}, "password": {"nope nope"}}, 401, "Wrong username or password"},
		{"empty post", "/posts", url.Values{"body": {"   "}}, 200, "1 to 280 characters"},
		{"follow self", "/u/ann/follow", nil, 400, "cannot follow yourself"},
		{"follow unknown", "/u/zed/follow", nil, 404, "no user @zed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := b.post(tt.path, tt.form)
			if code != tt.code || !strings.Contains(body, tt.want) {
				t.Errorf("POST %s: %d, want %d with %q\n%s", tt.path, code, tt.code, tt.want, body)
			}
		})
	}
	if code, _ := b.get("/u/zed"); code != 404 {
		t.Errorf("unknown profile: %d", code)
	}
}

func TestLogout(t *testing.T) {
	_, srv := newTestApp(t)
	b := newBrowser(t, srv.URL)
	b.signup("ann", "ann password")
	if code, _ := b.timeline(); code != 200 {
		t.Fatalf("timeline while logged in: %d", code)
	}
	if code, body := b.post("/logout", nil); code != 200 || !strings.Contains(body, "You are logged out") {
		t.Fatalf("logout: %d\n%s", code, body)
	}
	if code, _ := b.timeline(); code != http.StatusUnauthorized {
		t.Fatalf("timeline after logout: %d, want 401", code)
	}
	b.login("ann", "ann password")
	if code, _ := b.timeline(); code != 200 {
		t.Fatalf("timeline after login: %d", code)
	}
}

// TestRenewOnLogin checks the session-fixation defence: the token a
// browser had before logging in does not carry the login.
func TestRenewOnLogin(t *testing.T) {
	_, srv := newTestApp(t)
	newBrowser(t, srv.URL).signup("ann", "ann password")
	b := newBrowser(t, srv.URL)
	// An anonymous action that stores a flash message starts a session.
	b.post("/posts", url.Values{"body": {"hi"}})
	before := b.cookie("session")
	if before == "" {
		t.Fatal("no anonymous session cookie")
	}
	b.login("ann", "ann password")
	after := b.cookie("session")
	if after == "" || after == before {
		t.Fatalf("session token not renewed at login: %q → %q", before, after)
	}
	// An attacker who planted or saw the old token gets nothing.
	attacker := &http.Client{}
	req, _ := http.NewRequest("GET", srv.URL+"/api/timeline", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: before})
	res, err := attacker.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old token after login: %d, want 401", res.StatusCode)
	}
	if code, _ := b.timeline(); code != 200 {
		t.Fatalf("new token: %d", code)
	}
}

func TestCrossOriginPostRejected(t *testing.T) {
	_, srv := newTestApp(t)
	b := newBrowser(t, srv.URL)
	b.signup("ann", "ann password")
	for _, h := range []struct{ key, value string }{
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example"},
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/posts", strings.NewReader("body=pwned"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h.key, h.value)
		if code, _ := b.do(req); code != http.StatusForbidden {
			t.Errorf("POST with %s: %s: %d, want 403", h.key, h.value, code)
		}
	}
	if _, posts := b.timeline(); len(posts) != 0 {
		t.Fatalf("a cross-origin post went through: %+v", posts)
	}
}

func TestLogoutEverywhereAndDevices(t *testing.T) {
	_, srv := newTestApp(t)
	phone, laptop, other := newBrowser(t, srv.URL), newBrowser(t, srv.URL), newBrowser(t, srv.URL)
	phone.signup("ann", "ann password")
	laptop.login("ann", "ann password")
	other.signup("bob", "bob password")

	code, body := laptop.get("/sessions")
	if code != 200 || strings.Count(body, "<td>a Go program") != 2 || !strings.Contains(body, "(this one)") {
		t.Fatalf("devices page: %d\n%s", code, body)
	}
	if code, body := laptop.post("/logout-everywhere", nil); code != 200 || !strings.Contains(body, "Logged out of 2 sessions") {
		t.Fatalf("logout everywhere: %d\n%s", code, body)
	}
	for name, b := range map[string]*browser{"phone": phone, "laptop": laptop} {
		if code, _ := b.timeline(); code != http.StatusUnauthorized {
			t.Errorf("%s after logout everywhere: %d, want 401", name, code)
		}
	}
	if code, _ := other.timeline(); code != 200 {
		t.Errorf("another user's session ended too: %d", code)
	}
}

func TestRevokeOneDevice(t *testing.T) {
	app, srv := newTestApp(t)
	phone, laptop := newBrowser(t, srv.URL), newBrowser(t, srv.URL)
	phone.signup("ann", "ann password")
	laptop.login("ann", "ann password")
	// Find the phone's session id: the one that is not current for the laptop.
	req := httptest.NewRequest("GET", "/", nil)
	var phoneID string
	app.sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infos, err := app.sessions.UserSessions(r.Context(), "ann")
		if err != nil || len(infos) != 2 {
			t.Fatalf("UserSessions = %v, %v", infos, err)
		}
		phoneID = infos[0].ID
		if infos[0].Created.After(infos[1].Created) {
			phoneID = infos[1].ID
		}
	})).ServeHTTP(httptest.NewRecorder(), req)

	// An anonymous browser is sent to the login page; it revokes nothing.
	newBrowser(t, srv.URL).post("/sessions/revoke", url.Values{"id": {phoneID}})
	if c, _ := phone.timeline(); c != 200 {
		t.Fatal("an anonymous request revoked a session")
	}
	if code, body := laptop.post("/sessions/revoke", url.Values{"id": {"not-an-id"}}); code != 404 {
		t.Fatalf("revoke unknown id: %d\n%s", code, body)
	}
	if code, body := laptop.post("/sessions/revoke", url.Values{"id": {phoneID}}); code != 200 || !strings.Contains(body, "That device is logged out") {
		t.Fatalf("revoke: %d\n%s", code, body)
	}
	if code, _ := phone.timeline(); code != http.StatusUnauthorized {
		t.Errorf("phone after revoke: %d, want 401", code)
	}
	if code, _ := laptop.timeline(); code != 200 {
		t.Errorf("laptop after revoking the phone: %d", code)
	}
}

func TestCookies(t *testing.T) {
	_, srv := newTestApp(t)
	b := newBrowser(t, srv.URL)
	if _, body := b.get("/"); !strings.Contains(body, `class="theme-light"`) {
		t.Fatal("default theme is not light")
	}
	if _, body := b.post("/theme", nil); !strings.Contains(body, `class="theme-dark"`) {
		t.Fatal("theme did not switch to dark")
	}
	// A forged theme cookie is ignored.
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "theme", Value: "dark"})
	if _, body := (&browser{t: t, c: http.DefaultClient}).do(req); !strings.Contains(body, `class="theme-light"`) {
		t.Error("an unsigned theme cookie was accepted")
	}
	// The last username is sealed: not readable in the cookie, offered on
	// the login form.
	b.signup("ann", "ann password")
	b.post("/logout", nil)
	if v := b.cookie("lastuser"); v == "" || strings.Contains(v, "ann") {
		t.Errorf("lastuser cookie %q", v)
	}
	if _, body := b.get("/login"); !strings.Contains(body, `value="ann"`) {
		t.Error("login form does not offer the last username")
	}
}

func TestPagesAndAPI(t *testing.T) {
	_, srv := newTestApp(t)
	b := newBrowser(t, srv.URL)
	b.signup("ann", "ann password")
	b.post("/posts", url.Values{"body": {"<script>alert(1)</script>"}})

	code, body := b.get("/u/ann")
	if code != 200 || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("profile does not escape posts: %d\n%s", code, body)
	}
	res, err := http.Get(srv.URL + "/api/users/ann/posts")
	if err != nil {
		t.Fatal(err)
	}
	etag := res.Header.Get("ETag")
	var resp postsResponse
	json.NewDecoder(res.Body).Decode(&resp)
	res.Body.Close()
	if res.StatusCode != 200 || len(resp.Posts) != 1 || etag == "" {
		t.Fatalf("API posts: %d %+v etag %q", res.StatusCode, resp, etag)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/users/ann/posts", nil)
	req.Header.Set("If-None-Match", etag)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d, want 304", res.StatusCode)
	}
	if code, _ := (&browser{t: t, base: srv.URL, c: http.DefaultClient}).timeline(); code != 401 {
		t.Errorf("anonymous API timeline: %d, want 401", code)
	}
	if code, body := b.get("/users"); code != 200 || !strings.Contains(body, "@ann") {
		t.Errorf("users page: %d", code)
	}
}

func TestStaticAndHeaders(t *testing.T) {
	app, srv := newTestApp(t)
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Request-Id") == "" {
		t.Errorf("missing CSP or request id: %v", res.Header)
	}
	css := "/static/" + app.static.Path("style.css")
	res, err = http.Get(srv.URL + css)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s: %d, Cache-Control %q", css, res.StatusCode, res.Header.Get("Cache-Control"))
	}
}
