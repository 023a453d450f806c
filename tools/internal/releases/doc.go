// Package releases reads and appends the RELEASES file of a repository and
// decides the next semantic version of a module from the kind of API
// change since its last release.
//
// RELEASES records every release because tags may not travel with every
// clone. One release a line, fields separated by spaces:
//
//	<module folder> <version> <commit>
//
// for example "sessioncache/redisstore v0.1.0 3f2a...". Blank lines and
// lines starting with # are ignored.
//
// The versioning rules: a module never released starts at v0.1.0. Below
// v1, an incompatible change or an addition bumps the minor version, and no
// API change bumps the patch. From v1 on, an addition bumps the minor
// version, no API change the patch, and an incompatible change is refused:
// it needs a new major version, which is a new module path (/v2).
package releases
