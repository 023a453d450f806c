// Package watch rebuilds and restarts a Go program whenever the files it is
// made of change, like nodemon.
//
// It polls a directory tree for changes to .go files (tests aside), go.mod, go.sum,
// go.work, templates (.html, .tmpl) and static files (.css, .js); it needs
// no file-notification library. A burst of changes (an editor saving
// several files, a git checkout) is debounced into one rebuild. A build
// that fails is reported and the running program keeps running. A build
// that succeeds replaces the program: SIGINT to its process group, a grace
// period, SIGKILL, a wait until its listening ports are free, then the new
// binary starts in a process group of its own.
//
// It works on Unix systems, where process groups exist.
package watch
