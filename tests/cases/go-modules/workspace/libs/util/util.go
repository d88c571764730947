package util

// Name is shared by the api binaries.
func Name() string { return "api" }
