package main

import "github.com/acme/mono/libs/util"

func main() { println(util.Name()) }
