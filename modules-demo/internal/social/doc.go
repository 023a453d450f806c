// Package social is the data of the SNS demo: users, their posts and who
// follows whom, kept in memory and safe for concurrent use.
//
// It stands in for the database a real deployment would have. Everything
// the web layer caches (timelines) is derived from it, so a Store tells
// its subscribers which users' timelines a change affects (see
// Store.Subscribe): each app node drops those entries from its own cache,
// the way a real system would broadcast invalidations.
package social
