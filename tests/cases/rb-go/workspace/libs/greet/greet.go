// Package greet is a library the status service links: an internal edge through go.work.
package greet

// Hello is the body the status service answers with.
func Hello(service string) string {
	return `{"status":"ok","service":"` + service + `"}`
}
