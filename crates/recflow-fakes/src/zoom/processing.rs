//! Finishing a recording Zoom was still processing, as Zoom does some minutes after a meeting
//! ends: the file gets its type, extension, size and end time, keeping its id.

use super::FakeZoom;
use super::meeting::Media;

impl FakeZoom {
    /// Turns the processing file `file_id` (see [`FakeFile::processing`]) into a completed MP4
    /// that serves `media`. Returns whether such a file was still processing.
    ///
    /// [`FakeFile::processing`]: super::FakeFile::processing
    pub fn finish_processing(&self, file_id: &str, media: Media) -> bool {
        let mut state = self.shared.lock();
        let file = state
            .meetings
            .iter_mut()
            .flat_map(|meeting| meeting.files.iter_mut())
            .find(|file| file.id == file_id && file.processing);
        let Some(file) = file else {
            return false;
        };
        file.file_type = "MP4".to_owned();
        file.file_extension = "MP4".to_owned();
        file.size = media.size();
        file.media = media;
        file.processing = false;
        true
    }
}
