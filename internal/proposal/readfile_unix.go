//go:build linux || darwin

package proposal

import "syscall"

// ReadFile reads the report in the file at path, within lim.
//
// It makes four system calls per file: open, fstat, one read of the
// file's size, close. os.Open also tries to add every file to the network
// poller (two fcntl calls each way and an epoll_ctl that fails for a
// regular file), and io.ReadAll reads in growing pieces: for the small
// files a sweep reads by the hundred thousand, those extra calls cost a
// tenth of its time. Anything unusual — an error, a file that is not
// regular, empty, over the limit or shorter than it was — is read again by
// readFileSlow, so the reports and errors are the same. A file that grows
// while it is read is read as it was when opened.
func ReadFile(path string, lim Limits) (*Report, error) {
	maxBytes := lim.bytes()
	// O_NONBLOCK: opening a named pipe waits for a writer, forever; with
	// it the open returns, and the pipe is refused below.
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		return readFileSlow(path, lim)
	}
	var st syscall.Stat_t
	err = syscall.Fstat(fd, &st)
	if kind := st.Mode & syscall.S_IFMT; err == nil && kind != syscall.S_IFREG && kind != syscall.S_IFDIR {
		syscall.Close(fd)
		return nil, notRegular(path)
	}
	if err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size <= 0 || st.Size > maxBytes {
		syscall.Close(fd)
		return readFileSlow(path, lim)
	}
	data := make([]byte, st.Size)
	for n := 0; n < len(data); {
		m, err := syscall.Read(fd, data[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			syscall.Close(fd)
			return readFileSlow(path, lim)
		}
		n += m
	}
	syscall.Close(fd)
	return ParseLimited(path, data, "", lim)
}
