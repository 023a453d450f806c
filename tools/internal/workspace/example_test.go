package workspace_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/serverdev/stdweb/tools/internal/filetree"
	"github.com/serverdev/stdweb/tools/internal/workspace"
)

func ExampleWorkspace_Select() {
	root, err := os.MkdirTemp("", "workspace-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(root)
	filetree.Write(root, map[string]string{
		"go.work":             "go 1.26.0\n\nuse (\n\t./cookies\n\t./sessioncache\n\t./sessioncache/redisstore\n)\n",
		"cookies/go.mod":      "module example.com/cookies\n\ngo 1.26.0\n",
		"sessioncache/go.mod": "module example.com/sessioncache\n\ngo 1.26.0\n",
		"sessioncache/redisstore/go.mod": "module example.com/sessioncache/redisstore\n\ngo 1.26.0\n\n" +
			"require example.com/sessioncache v0.1.0\n",
	})
	ws, err := workspace.Load(filepath.Join(root, "go.work"))
	if err != nil {
		fmt.Println(err)
		return
	}
	mods, _ := ws.Select([]string{"sessioncache/redisstore"})
	fmt.Println(mods[0].Folder, mods[0].Path)
	fmt.Println(ws.SiblingRequires())
	_, err = ws.Select([]string{"nope"})
	fmt.Println(err)
	// Output:
	// sessioncache/redisstore example.com/sessioncache/redisstore
	// [example.com/sessioncache@v0.1.0]
	// unknown module "nope" (workspace modules: cookies, sessioncache, sessioncache/redisstore)
}
