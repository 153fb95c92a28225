@echo off
rem DropboxFs on Windows mounts through WinFsp (https://winfsp.dev), which is not built yet.
rem The `dropboxfs` command itself (ls, get, put, ...) works on Windows today:
rem   dotnet build src\DropboxFs.Cli -c Release
rem   src\DropboxFs.Cli\bin\Release\net10.0\dropboxfs.exe --help
echo mount.cmd: mounting on Windows needs the WinFsp adapter, which is not built yet. 1>&2
echo mount.cmd: use WSL2 with ./mount.sh for now, or the dropboxfs command for file operations. 1>&2
exit /b 1
