module example.com/mono/libs/greet

go 1.27
