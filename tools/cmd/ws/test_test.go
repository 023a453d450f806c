package main

import (
	"slices"
	"testing"
)

func TestParseTestArgs(t *testing.T) {
	tests := []struct {
		args    []string
		jobs    int
		pass    []string
		modules []string
		verbose bool
		help    bool
	}{
		{nil, defaultJobs(), nil, nil, false, false},
		{[]string{"-j", "3", "cookies"}, 3, nil, []string{"cookies"}, false, false},
		{[]string{"-j=1", "-run", "TestX", "-short", "cookies", "sessioncache/redisstore"}, 1,
			[]string{"-run", "TestX", "-short"}, []string{"cookies", "sessioncache/redisstore"}, false, false},
		{[]string{"-v", "-timeout=2m", "--", "-run", "Y", "x"}, defaultJobs(),
			[]string{"-v", "-timeout=2m", "-run", "Y", "x"}, nil, true, false},
		{[]string{"--count", "2", "-h"}, defaultJobs(), []string{"--count", "2"}, nil, false, true},
	}
	for _, tt := range tests {
		got, err := parseTestArgs(tt.args)
		if err != nil {
			t.Errorf("parseTestArgs(%q): %v", tt.args, err)
			continue
		}
		if got.jobs != tt.jobs || !slices.Equal(got.pass, tt.pass) || !slices.Equal(got.modules, tt.modules) ||
			got.verbose != tt.verbose || got.help != tt.help {
			t.Errorf("parseTestArgs(%q) = %+v", tt.args, got)
		}
	}
	if got, err := parseTestArgs([]string{"-tags", "integration", "-run", "X", "-mod=mod", "cookies"}); err != nil ||
		!slices.Equal(got.build, []string{"-tags", "integration", "-mod=mod"}) ||
		!slices.Equal(got.pass, []string{"-tags", "integration", "-run", "X", "-mod=mod"}) {
		t.Errorf("build flags for vet: %+v, %v", got, err)
	}
	for _, bad := range [][]string{{"-j"}, {"-j", "0"}, {"-j=x"}, {"-run"}} {
		if _, err := parseTestArgs(bad); err == nil {
			t.Errorf("parseTestArgs(%q) succeeded", bad)
		}
	}
}
