from mcusim.cli import main

raise SystemExit(main())
