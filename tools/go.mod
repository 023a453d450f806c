module github.com/serverdev/stdweb/tools

go 1.26.0

tool github.com/serverdev/stdweb/tools/cmd/ws

require (
	golang.org/x/exp v0.0.0-20260824195058-e88cd73687aa
	golang.org/x/mod v0.43.0
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da
	golang.org/x/sync v0.25.0
	golang.org/x/tools v0.52.1-0.20261106145633-d407941a339a
)

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/google/safehtml v0.0.2 // indirect
	golang.org/x/text v0.42.0 // indirect
)
