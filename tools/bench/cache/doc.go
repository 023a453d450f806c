// Package cachebench compares sessioncache/cache with other Go caches:
// throughput in Caffeine's GetPut shape, allocations, and memory per
// entry. The hit-ratio simulator is the command in cmd/hitratio.
package cachebench
