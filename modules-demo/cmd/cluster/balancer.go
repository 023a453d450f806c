package main

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/serverdev/stdweb/httpserver"
)

// balancer sends each request to the next healthy node, round robin, the
// way a load balancer without sticky sessions does: any node must be able
// to serve any request of any user.
type balancer struct {
	nodes []*node
	next  atomic.Uint64
	log   *slog.Logger
}

// newProxy returns the reverse proxy that forwards requests to n.
func (b *balancer) newProxy(n *node) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(n.url)
			// Keep the Host the browser asked for: the nodes' CSRF check
			// compares it with the Origin header.
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		ModifyResponse: func(res *http.Response) error {
			b.log.Info("served", "node", n.name, "method", res.Request.Method,
				"path", res.Request.URL.Path, "status", res.StatusCode)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// The node went away without draining (a crash): take it out
			// until its health check passes again.
			n.healthy.Store(false)
			b.log.Warn("node failed", "node", n.name, "path", r.URL.Path, "err", err)
			// Nothing was sent to the client yet: a request that is safe
			// to repeat goes to the next node, once.
			if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Context().Value(retriedKey{}) == nil {
				b.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), retriedKey{}, true)))
				return
			}
			httpserver.WriteError(w, r, httpserver.Errorf(http.StatusBadGateway, "node %s failed", n.name))
		},
	}
}

// retriedKey marks a request the balancer already sent to a failed node.
type retriedKey struct{}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for range b.nodes {
		n := b.nodes[b.next.Add(1)%uint64(len(b.nodes))]
		if n.healthy.Load() {
			n.proxy.ServeHTTP(w, r)
			return
		}
	}
	httpserver.WriteError(w, r, httpserver.Errorf(http.StatusServiceUnavailable, "no node is up"))
}

// checkHealth asks every running node's /readyz each interval until ctx
// ends. A draining node answers 503 and stops getting requests well before
// it closes its listener.
func (b *balancer) checkHealth(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		b.checkOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkOnce asks every node's /readyz once, all at the same time.
func (b *balancer) checkOnce(ctx context.Context) {
	client := &http.Client{Timeout: healthInterval}
	var wg sync.WaitGroup
	for _, n := range b.nodes {
		wg.Go(func() { n.healthy.Store(n.running.Load() && ready(ctx, client, n.url)) })
	}
	wg.Wait()
}

// waitHealthy checks the nodes until every one is healthy or timeout
// passes, and reports whether they all are. A node's server answers 503 on
// /readyz until it runs and its store answers, so a single check right
// after the nodes start can find some not ready yet; the balancer would
// then send everything to the others until the next periodic check.
func (b *balancer) waitHealthy(ctx context.Context, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		b.checkOnce(ctx)
		if !slices.ContainsFunc(b.nodes, func(n *node) bool { return !n.healthy.Load() }) {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// shutdown stops every node at once and waits until all have drained.
func (b *balancer) shutdown() {
	var wg sync.WaitGroup
	for _, n := range b.nodes {
		wg.Go(func() {
			if err := n.shutdown(); err != nil {
				b.log.Error("node shutdown", "err", err)
			}
		})
	}
	wg.Wait()
}

func ready(ctx context.Context, client *http.Client, u *url.URL) bool {
	req, err := http.NewRequestWithContext(ctx, "GET", u.JoinPath("readyz").String(), nil)
	if err != nil {
		return false
	}
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// nodeStatus is one row of the cluster page.
type nodeStatus struct {
	Name    string `json:"name"`
	Addr    string `json:"addr"`
	Running bool   `json:"running"`
	Healthy bool   `json:"healthy"`
}

func (b *balancer) status() []nodeStatus {
	out := make([]nodeStatus, len(b.nodes))
	for i, n := range b.nodes {
		out[i] = nodeStatus{Name: n.name, Addr: n.addr, Running: n.running.Load(), Healthy: n.healthy.Load()}
	}
	return out
}

func (b *balancer) node(name string) (*node, error) {
	for _, n := range b.nodes {
		if n.name == name {
			return n, nil
		}
	}
	return nil, httpserver.Errorf(http.StatusNotFound, "no node %q", name)
}

var statusPage = template.Must(template.New("cluster").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cluster</title></head>
<body><h1>Cluster</h1>
<p>Stop a node while you are logged in to the <a href="/">app</a>: you stay logged in,
because the sessions are in a store every node shares.</p>
<table><tr><th>node</th><th>address</th><th>running</th><th>healthy</th><th></th></tr>
{{range .}}<tr><td>{{.Name}}</td><td>{{.Addr}}</td><td>{{.Running}}</td><td>{{.Healthy}}</td>
<td><form method="post" action="/_cluster/nodes/{{.Name}}/{{if .Running}}stop{{else}}start{{end}}">
<button>{{if .Running}}stop{{else}}start{{end}}</button></form></td></tr>
{{end}}</table></body></html>
`))

// routes returns the balancer's handler: the control pages under
// /_cluster, everything else proxied to the nodes.
func (b *balancer) routes(log *slog.Logger) *httpserver.Router {
	rt := httpserver.NewRouter(httpserver.RouterOptions{Logger: log})
	rt.Use(httpserver.CSRF(nil))
	rt.HandleFunc("GET /_cluster", func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.Query().Has("json") {
			return httpserver.WriteJSON(w, http.StatusOK, b.status())
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", httpserver.CacheNoStore)
		return statusPage.Execute(w, b.status())
	})
	rt.HandleFunc("POST /_cluster/nodes/{name}/stop", func(w http.ResponseWriter, r *http.Request) error {
		n, err := b.node(r.PathValue("name"))
		if err != nil {
			return err
		}
		log.Info("stopping node", "node", n.name)
		if err := n.shutdown(); err != nil {
			return err
		}
		http.Redirect(w, r, "/_cluster", http.StatusSeeOther)
		return nil
	})
	rt.HandleFunc("POST /_cluster/nodes/{name}/start", func(w http.ResponseWriter, r *http.Request) error {
		n, err := b.node(r.PathValue("name"))
		if err != nil {
			return err
		}
		if err := n.start(); err != nil {
			return err
		}
		http.Redirect(w, r, "/_cluster", http.StatusSeeOther)
		return nil
	})
	rt.Mount("/", b)
	return rt
}
