package redisstore_test

import (
	"net"
	"time"
)

func dialer() net.Dialer { return net.Dialer{Timeout: 500 * time.Millisecond} }
