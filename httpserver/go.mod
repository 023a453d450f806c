module github.com/serverdev/stdweb/httpserver

go 1.26.0
