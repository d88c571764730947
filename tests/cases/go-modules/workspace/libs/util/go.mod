module github.com/acme/mono/libs/util

go 1.22
