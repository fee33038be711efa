from realtime_migrate.entry import main

main()
