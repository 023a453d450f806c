module github.com/serverdev/stdweb/tools

go 1.26.0
