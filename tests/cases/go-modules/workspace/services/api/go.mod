// The api module: two binaries, a local library through replace, one third-party module.
module github.com/acme/mono/services/api

go 1.22

toolchain go1.23.4

require (
	github.com/acme/mono/libs/util v0.0.0
	golang.org/x/sync v0.8.0 // indirect
)

replace github.com/acme/mono/libs/util => ../../libs/util
