import { exitOnStartFailure, runHttpService } from '../../src';
import { notesService } from './notes-service';

runHttpService(notesService).catch(exitOnStartFailure);
