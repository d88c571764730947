target "mine" {}
