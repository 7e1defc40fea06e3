module github.com/tick-llm/tick

go 1.26.8

require (
	github.com/dlclark/regexp2 v1.12.0
	gonum.org/v1/gonum v0.17.0
	gonum.org/v1/netlib v0.0.0-20190313105609-8cb42192e0e0
)

require golang.org/x/exp v0.0.0-20261113113407-e3970619a1a4 // indirect
