module github.com/serverdev/stdweb/modules-demo

go 1.26.0

require (
	github.com/redis/rueidis v1.0.79
	github.com/serverdev/stdweb/cookies v0.1.0
	github.com/serverdev/stdweb/httpserver v0.1.0
	github.com/serverdev/stdweb/sessioncache v0.1.0
	github.com/serverdev/stdweb/sessioncache/redisstore v0.1.0
	golang.org/x/crypto v0.57.0
)

require golang.org/x/sys v0.48.0 // indirect
