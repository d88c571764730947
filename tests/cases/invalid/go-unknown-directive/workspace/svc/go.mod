module example.com/svc

go 1.27

requre example.com/x v1.0.0
