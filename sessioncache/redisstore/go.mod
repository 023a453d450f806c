module github.com/serverdev/stdweb/sessioncache/redisstore

go 1.26.0

require (
	github.com/redis/rueidis v1.0.79 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

require github.com/serverdev/stdweb/sessioncache v0.1.0
