// Package demo is the runnable showcase of the stdweb modules: one program
// per step of the learning path under cmd/, the SNS app in cmd/sns, and a
// cluster demo in cmd/cluster. With no flags every program runs in one
// process on embedded in-memory defaults.
package demo
