package main

import (
	"bytes"
	"fmt"
	"math"
)

var colors = map[string]string{
	"ours":      "#d62728",
	"otter":     "#1f77b4",
	"ristretto": "#ff7f0e",
	"lru":       "#7f7f7f",
	"arc":       "#2ca02c",
	"optimal":   "#9467bd",
}

// chart draws hit ratio against capacity, one polyline per policy, with
// the capacities evenly spaced.
func chart(r result) []byte {
	const (
		width, height = 640, 380
		left, right   = 56, 120
		top, bottom   = 36, 48
	)
	lo, hi := 100.0, 0.0
	for _, p := range r.policies {
		for _, v := range r.ratio[p] {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	lo = math.Floor(lo/10) * 10
	hi = math.Min(100, math.Ceil(hi/10)*10)
	if hi <= lo {
		hi = lo + 10
	}
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	x := func(i int) float64 {
		if len(r.capacities) == 1 {
			return float64(left) + plotW/2
		}
		return float64(left) + plotW*float64(i)/float64(len(r.capacities)-1)
	}
	y := func(v float64) float64 { return float64(top) + plotH*(hi-v)/(hi-lo) }

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold">%s: hit ratio vs capacity (%d accesses)</text>`+"\n", left, r.trace, r.accesses)
	for v := lo; v <= hi+1e-9; v += 10 {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(v), float64(left)+plotW, y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.0f%%</text>`+"\n", left-6, y(v)+4, v)
	}
	for i, c := range r.capacities {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x(i), height-bottom+18, human(c))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">capacity (entries)</text>`+"\n", float64(left)+plotW/2, height-10)
	for j, p := range r.policies {
		var pts bytes.Buffer
		for i, v := range r.ratio[p] {
			fmt.Fprintf(&pts, "%.1f,%.1f ", x(i), y(v))
		}
		width := 1.5
		if p == "ours" {
			width = 2.5
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="%.1f" points="%s"/>`+"\n", colors[p], width, bytes.TrimSpace(pts.Bytes()))
		ly := top + 10 + 18*j
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`+"\n", width0(left, plotW)+10, ly, width0(left, plotW)+30, ly, colors[p])
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", width0(left, plotW)+36, ly+4, p)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func width0(left int, plotW float64) int { return left + int(plotW) }

func human(n int) string {
	switch {
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	default:
		return fmt.Sprint(n)
	}
}
