//go:build linux || darwin

package proposal

import "syscall"

// ReadFile reads the report in the file at path, refusing files larger
// than maxBytes (DefaultMaxBytes when 0).
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
func ReadFile(path string, maxBytes int64) (*Report, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return readFileSlow(path, maxBytes)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size <= 0 || st.Size > maxBytes {
		syscall.Close(fd)
		return readFileSlow(path, maxBytes)
	}
	data := make([]byte, st.Size)
	for n := 0; n < len(data); {
		m, err := syscall.Read(fd, data[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			syscall.Close(fd)
			return readFileSlow(path, maxBytes)
		}
		n += m
	}
	syscall.Close(fd)
	return Parse(path, data, "")
}
