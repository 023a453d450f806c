module github.com/serverdev/stdweb/sessioncache

go 1.26.0
