package sns

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkTimeline compares a timeline read through the app's cache with
// the same timeline computed from the social store each time, for a user
// who follows 50 people with 100 posts each.
func BenchmarkTimeline(b *testing.B) {
	app, _ := newTestApp(b)
	for i := range 51 {
		name := fmt.Sprintf("user%02d", i)
		if _, err := app.social.CreateUser(name, "x"); err != nil {
			b.Fatal(err)
		}
		for j := range 100 {
			app.social.AddPost(name, fmt.Sprint("post ", j))
		}
		if i > 0 {
			app.social.Follow("user00", name)
		}
	}
	ctx := context.Background()
	b.Run("cache", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if p, err := app.timeline(ctx, "user00"); err != nil || len(p) != timelineLen {
				b.Fatal(len(p), err)
			}
		}
	})
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if p, err := app.social.Timeline("user00", timelineLen); err != nil || len(p) != timelineLen {
				b.Fatal(len(p), err)
			}
		}
	})
}
