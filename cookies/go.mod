module github.com/serverdev/stdweb/cookies

go 1.26.0
