module github.com/serverdev/stdweb/modules-demo

go 1.26.0
