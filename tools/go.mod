module github.com/serverdev/stdweb/tools

go 1.26.0

tool github.com/serverdev/stdweb/tools/cmd/ws

require (
	golang.org/x/mod v0.43.0
	golang.org/x/sync v0.25.0
)
