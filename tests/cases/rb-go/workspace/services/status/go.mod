module example.com/mono/services/status

go 1.27

require example.com/mono/libs/greet v0.0.0
