# init/: berth-init and berthctl (later issues)
