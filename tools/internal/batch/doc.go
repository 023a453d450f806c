// Package batch runs a batch of named jobs, a bounded number at a time, and
// reports their progress: a table redrawn in place on a terminal, or one
// plain line per event otherwise. Each job is a sequence of steps (for
// example "vet" then "test"); a job fails at its first failing step, and
// the output of every failing job is shown in full once the batch is done,
// followed by the summary line "N passed, N failed".
package batch
