"""The top layer: the processes (`serve`, `worker`, the clock), `init`, `demo`, the sandbox
bank's command and the commands that cross the apps. Nothing imports from here."""
