module github.com/serverdev/stdweb/tools

go 1.26.0

tool github.com/serverdev/stdweb/tools/cmd/ws

require (
	golang.org/x/mod v0.43.0
	golang.org/x/sync v0.25.0
)

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/google/safehtml v0.0.2 // indirect
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da
	golang.org/x/text v0.42.0 // indirect
)

// Workspace stopgap: in workspace mode the go command still reads the go.mod
// of every sibling version that a workspace module requires (v0.1.0, not
// published yet), so any build that resolves a non-standard import fails.
// Replace directives of workspace modules apply to the whole workspace; these
// point the unpublished versions at the folders. They belong in go.work and
// can go once it has them (or once v0.1.0 is tagged). Outside the workspace
// they are inert: this module requires none of them.
replace (
	github.com/serverdev/stdweb/cookies v0.1.0 => ../cookies
	github.com/serverdev/stdweb/httpserver v0.1.0 => ../httpserver
	github.com/serverdev/stdweb/sessioncache v0.1.0 => ../sessioncache
	github.com/serverdev/stdweb/sessioncache/redisstore v0.1.0 => ../sessioncache/redisstore
)
