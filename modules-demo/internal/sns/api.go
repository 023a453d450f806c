package sns

import (
	"net/http"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
)

type postsResponse struct {
	User  string        `json:"user"`
	Posts []social.Post `json:"posts"`
}

// apiTimeline answers GET /api/timeline: the logged-in user's timeline.
func (a *App) apiTimeline(w http.ResponseWriter, r *http.Request) error {
	user := a.currentUser(r.Context())
	if user == "" {
		return httpserver.Errorf(http.StatusUnauthorized, "log in first")
	}
	posts, err := a.timeline(r.Context(), user)
	if err != nil {
		return err
	}
	return httpserver.WriteJSON(w, http.StatusOK, postsResponse{User: user, Posts: nonNil(posts)})
}

// apiPosts answers GET /api/users/{name}/posts: anyone's posts.
func (a *App) apiPosts(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	posts, err := a.postsBy(name)
	if err != nil {
		return err
	}
	return httpserver.WriteJSON(w, http.StatusOK, postsResponse{User: name, Posts: nonNil(posts)})
}

// apiStats answers GET /api/stats: how the timeline cache is doing on this
// node.
func (a *App) apiStats(w http.ResponseWriter, r *http.Request) error {
	s := a.timelines.Stats()
	return httpserver.WriteJSON(w, http.StatusOK, map[string]any{
		"node": a.node,
		"timeline_cache": map[string]any{
			"entries": a.timelines.Len(), "hits": s.Hits, "misses": s.Misses,
			"loads": s.Loads, "hit_ratio": s.HitRatio(),
		},
	})
}

func nonNil(p []social.Post) []social.Post {
	if p == nil {
		return []social.Post{}
	}
	return p
}
