// Package sns is the web layer of the SNS demo, a small social network:
// sign up, log in, post, follow, read a timeline. cmd/sns serves one App;
// cmd/cluster serves several behind a load balancer.
//
// It shows the stdweb modules working together:
//
//   - httpserver: the Router with error-returning handlers, middleware
//     (request IDs, access logs, security headers, CSRF through
//     http.CrossOriginProtection, body limits, gzip, conditional GET),
//     JSON responses and static files under content-hashed names;
//   - sessioncache: the session of each browser, renewed at login against
//     session fixation, with its owner recorded for the "your devices" page
//     and "log out everywhere", and flash messages shown once;
//   - sessioncache/cache: each user's timeline, loaded once per key with
//     GetOrLoad and dropped when a post or a follow changes it;
//   - cookies: the theme in a signed cookie (readable, tamper-proof) and the
//     last username in a sealed one (unreadable, tamper-proof).
//
// The data (users, posts, follows) lives in package social.
package sns
