module github.com/evmcsd/evmcsd/clients/go

go 1.19
