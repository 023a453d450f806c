module github.com/serverdev/stdweb/sessioncache/redisstore

go 1.26.0

require (
	github.com/redis/rueidis v1.0.79
	github.com/serverdev/stdweb/sessioncache v0.1.0
)

require golang.org/x/sys v0.47.0 // indirect
