// The status service: GET /health answers from the greet library; $PORT, default 8082.
package main

import (
	"fmt"
	"net/http"
	"os"

	"example.com/mono/libs/greet"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8082"
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, greet.Hello("status"))
	})
	fmt.Println("status listening on :" + port)
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
